"""Reads an OpenNebula context directory with cloud-init's read_context_disk_dir.

Usage: opennebula.py DIR. Prints JSON: the user-data cloud-init decodes (base64-encoded
here, so the test compares exact bytes) and the context variables it read.
"""
import base64
import json
import sys

from cloudinit.sources.DataSourceOpenNebula import read_context_disk_dir

result = read_context_disk_dir(sys.argv[1], None)
userdata = result["userdata"]
if isinstance(userdata, str):
    userdata = userdata.encode("utf-8")
print(json.dumps({
    "userdata_b64": base64.b64encode(userdata).decode("ascii"),
    "metadata": {k: v for k, v in result["metadata"].items() if isinstance(v, str)},
}))
