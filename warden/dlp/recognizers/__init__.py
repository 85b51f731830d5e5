"""Warden's Presidio recognizers, one family per module, and the list the scanner builds from.

Secrets: openai, anthropic, google, aws, github, gitlab, slack, stripe, huggingface, azure,
twilio, sendgrid, npm, pypi, jwt, private_key, url_credentials, entropy, command_line, tables,
passwords, vendor_tokens (Notion, Shopify, Linear, SonarQube, Vault, Telegram, Mistral...).
Personal data: email, phone, credit_card, iban, us_ssn, us_itin, ip_address, ner (spaCy), and
person_context (names announced by
"Dear", "Name:"...), custom_terms (the policy's deny-list).
"""

from __future__ import annotations

from warden.dlp.recognizers.anthropic import AnthropicKeyRecognizer
from warden.dlp.recognizers.aws import AwsAccessKeyRecognizer, AwsSecretKeyRecognizer
from warden.dlp.recognizers.azure import AzureConnectionStringRecognizer, AzureKeyRecognizer
from warden.dlp.recognizers.base import WardenRecognizer
from warden.dlp.recognizers.command_line import CommandLineSecretRecognizer
from warden.dlp.recognizers.credit_card import PaymentCardRecognizer
from warden.dlp.recognizers.custom_terms import CustomTermRecognizer
from warden.dlp.recognizers.email import EmailAddressRecognizer
from warden.dlp.recognizers.entropy import GenericSecretRecognizer
from warden.dlp.recognizers.github import GitHubTokenRecognizer
from warden.dlp.recognizers.gitlab import GitLabTokenRecognizer
from warden.dlp.recognizers.google import GoogleKeyRecognizer
from warden.dlp.recognizers.huggingface import HuggingFaceTokenRecognizer
from warden.dlp.recognizers.iban import IbanCodeRecognizer
from warden.dlp.recognizers.ip_address import IpAddressRecognizer
from warden.dlp.recognizers.jwt import JwtRecognizer
from warden.dlp.recognizers.ner import NER_ENTITIES, SpacyNerRecognizer
from warden.dlp.recognizers.npm import NpmTokenRecognizer
from warden.dlp.recognizers.openai import OpenAIKeyRecognizer
from warden.dlp.recognizers.passwords import (
    ForeignPasswordRecognizer,
    LoginCallPasswordRecognizer,
    PgpassPasswordRecognizer,
    ProsePasswordRecognizer,
    ShortPasswordRecognizer,
)
from warden.dlp.recognizers.person_context import PersonContextRecognizer
from warden.dlp.recognizers.person_records import (
    AllCapsNameRecognizer,
    GivenNameRecognizer,
    NameFieldRecognizer,
    NamePartFieldRecognizer,
    RecordNameRecognizer,
    SignatureRecognizer,
)
from warden.dlp.recognizers.phone import PhoneNumberRecognizer
from warden.dlp.recognizers.private_key import PrivateKeyRecognizer
from warden.dlp.recognizers.pypi import PyPITokenRecognizer
from warden.dlp.recognizers.sendgrid import SendGridKeyRecognizer
from warden.dlp.recognizers.slack import SlackTokenRecognizer, SlackWebhookRecognizer
from warden.dlp.recognizers.street_address import StreetAddressRecognizer
from warden.dlp.recognizers.stripe import StripeKeyRecognizer
from warden.dlp.recognizers.tables import ColumnSecretRecognizer, PairSecretRecognizer
from warden.dlp.recognizers.twilio import (
    TwilioKeyRecognizer,
    TwilioNamedTokenRecognizer,
    TwilioPairedTokenRecognizer,
)
from warden.dlp.recognizers.url_credentials import (
    ConnectionStringPasswordRecognizer,
    QueryStringPasswordRecognizer,
    UrlCredentialsRecognizer,
    UrlTokenRecognizer,
)
from warden.dlp.recognizers.us_itin import TaxpayerIdRecognizer
from warden.dlp.recognizers.us_ssn import SocialSecurityNumberRecognizer
from warden.dlp.recognizers.vendor_tokens import (
    AzureOpenAINamedKeyRecognizer,
    ConfluentSaslKeyRecognizer,
    LinearKeyRecognizer,
    MistralNamedKeyRecognizer,
    NotionTokenRecognizer,
    ShopifyTokenRecognizer,
    SonarQubeTokenRecognizer,
    TelegramBotTokenRecognizer,
    VaultTokenRecognizer,
)

__all__ = [
    "NAME_ADDRESS_RECOGNIZERS",
    "NER_ENTITIES",
    "PATTERN_RECOGNIZERS",
    "CustomTermRecognizer",
    "SpacyNerRecognizer",
    "WardenRecognizer",
]

# Names in records, fields, ALL CAPS and lower case, and street addresses (issue 15, item 4):
# kept apart so that benchmarks/pii_eval.py can measure the scanner without them.
NAME_ADDRESS_RECOGNIZERS: tuple[type[WardenRecognizer], ...] = (
    RecordNameRecognizer,
    NameFieldRecognizer,
    NamePartFieldRecognizer,
    GivenNameRecognizer,
    SignatureRecognizer,
    AllCapsNameRecognizer,
    StreetAddressRecognizer,
)

PATTERN_RECOGNIZERS: tuple[type[WardenRecognizer], ...] = (
    OpenAIKeyRecognizer,
    AnthropicKeyRecognizer,
    GoogleKeyRecognizer,
    AwsAccessKeyRecognizer,
    AwsSecretKeyRecognizer,
    GitHubTokenRecognizer,
    GitLabTokenRecognizer,
    SlackTokenRecognizer,
    SlackWebhookRecognizer,
    StripeKeyRecognizer,
    HuggingFaceTokenRecognizer,
    AzureConnectionStringRecognizer,
    AzureKeyRecognizer,
    TwilioKeyRecognizer,
    TwilioNamedTokenRecognizer,
    TwilioPairedTokenRecognizer,
    SendGridKeyRecognizer,
    NpmTokenRecognizer,
    PyPITokenRecognizer,
    NotionTokenRecognizer,
    ShopifyTokenRecognizer,
    LinearKeyRecognizer,
    SonarQubeTokenRecognizer,
    VaultTokenRecognizer,
    TelegramBotTokenRecognizer,
    MistralNamedKeyRecognizer,
    AzureOpenAINamedKeyRecognizer,
    ConfluentSaslKeyRecognizer,
    JwtRecognizer,
    PrivateKeyRecognizer,
    UrlCredentialsRecognizer,
    UrlTokenRecognizer,
    ConnectionStringPasswordRecognizer,
    QueryStringPasswordRecognizer,
    GenericSecretRecognizer,
    CommandLineSecretRecognizer,
    ColumnSecretRecognizer,
    PairSecretRecognizer,
    ProsePasswordRecognizer,
    ForeignPasswordRecognizer,
    ShortPasswordRecognizer,
    LoginCallPasswordRecognizer,
    PgpassPasswordRecognizer,
    EmailAddressRecognizer,
    PhoneNumberRecognizer,
    PaymentCardRecognizer,
    IbanCodeRecognizer,
    SocialSecurityNumberRecognizer,
    TaxpayerIdRecognizer,
    IpAddressRecognizer,
    PersonContextRecognizer,
    *NAME_ADDRESS_RECOGNIZERS,
)
