"""Warden without its stages: mitmdump's addons on Warden's hook dispatch (addons/master.py).

    python -m benchmarks.base_proxy [mitmdump's common options]

The proxy_overhead benchmark measures it beside `warden run`: the gap between the two is what
Warden's own stages cost, apart from what its cheaper dispatch saves against bare mitmdump.
"""

from __future__ import annotations

import argparse
import sys

from mitmproxy import options
from mitmproxy.tools import cmdline, main

from addons.master import WardenMaster


def _parser(opts: options.Options) -> argparse.ArgumentParser:
    # mitmdump's parser minus --flow-detail, an option of the flow printer Warden leaves out.
    parser = argparse.ArgumentParser(prog="python -m benchmarks.base_proxy")
    cmdline.common_options(parser, opts)
    return parser


if __name__ == "__main__":
    main.run(WardenMaster, _parser, sys.argv[1:])
