"""Reads a config drive tree with cloud-init's ConfigDriveReader (read_v2).

Usage: configdrive.py DIR. Prints JSON: the instance id cloud-init derives, the server
metadata under "meta", and the user-data base64-encoded (so the test compares exact bytes).
"""
import base64
import json
import sys

from cloudinit.sources.helpers.openstack import ConfigDriveReader

result = ConfigDriveReader(sys.argv[1]).read_v2()
metadata = result["metadata"]
userdata = result["userdata"]
if isinstance(userdata, str):
    userdata = userdata.encode("utf-8")
print(json.dumps({
    "instance_id": metadata["instance-id"],
    "hostname": metadata.get("local-hostname"),
    "meta": metadata.get("meta", {}),
    "userdata_b64": base64.b64encode(userdata).decode("ascii"),
}))
