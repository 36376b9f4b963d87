"""The options that scope a client or a token: --county, --vendor-id or --isil, at most one."""

from __future__ import annotations

import argparse

from gateway.scopes import Scope, parse_scope


def add_scope_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--county", help="two-digit county number, e.g. 03")
    group.add_argument("--vendor-id", help="the vendor's id (a UUID)")
    group.add_argument("--isil", help="the library's ISIL, e.g. NO-2030000")


def scope_of(args: argparse.Namespace) -> Scope:
    """The scope the options name; ScopeError when a value is not valid."""
    return parse_scope(county=args.county, vendor_id=args.vendor_id, isil=args.isil)
