"""Reads Flotilla user-data with cloud-init's own code (Debian's /usr/bin/python3).

Usage: userdata.py FILE. Splits the user-data as cloud-init does (gzip undone, MIME parts
typed by UserDataProcessor), validates every cloud-config part and their merge (with each
part's Merge-Type, as cloud-init's cloud-config handler merges) against cloud-init's schema
with strict=True, and prints JSON: the parts in order and the merged write_files paths and
runcmd. Exits 1 with the reason when cloud-init would refuse something.
"""
import json
import sys

from cloudinit import mergers, util
from cloudinit.config.schema import SchemaValidationError, validate_cloudconfig_schema
from cloudinit.user_data import UserDataProcessor

SKIP = ("multipart/", "message/")


def main(path):
    with open(path, "rb") as handle:
        blob = handle.read()
    message = UserDataProcessor({}).process(blob)
    parts = []
    merged = {}
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype.startswith(SKIP):
            continue
        payload = part.get_payload(decode=True).decode("utf-8")
        parts.append({"type": ctype, "filename": part.get_filename()})
        if ctype != "text/cloud-config":
            continue
        config = util.load_yaml(payload)
        validate_cloudconfig_schema(config, strict=True, log_details=False)
        rules = mergers.string_extract_mergers(part.get("Merge-Type", ""))
        if not rules:
            rules = mergers.string_extract_mergers("dict(replace)+list()+str()")
        merged = mergers.construct(rules).merge(merged, config)
    if merged:
        validate_cloudconfig_schema(merged, strict=True, log_details=False)
    print(json.dumps({
        "parts": parts,
        "write_files": [entry["path"] for entry in merged.get("write_files", [])],
        "runcmd": merged.get("runcmd", []),
        "rsyslog": merged.get("rsyslog", {}),
    }))


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except SchemaValidationError as error:
        print("schema: %s" % error, file=sys.stderr)
        sys.exit(1)
