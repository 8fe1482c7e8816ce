"""A pilot reading Machine/Job Features the way DIRAC's MJF.py does.

Each key is fetched with urllib's urlopen from $MACHINEFEATURES/<key> or $JOBFEATURES/<key>,
with no extra header; any non-2xx answer or error means "absent"; whitespace is stripped.
shutdowntime and shutdowntime_job are re-read at every call. Time left is
min(jobstart_secs + wall_limit_secs, shutdowntime_job, shutdowntime) - now.

Usage: dirac_mjf_reader.py MACHINEFEATURES JOBFEATURES; prints one JSON object.
"""
import json
import sys
import time
import urllib.request


def read(directory, key):
    try:
        with urllib.request.urlopen(directory + "/" + key, timeout=10) as answer:
            if not 200 <= answer.status < 300:
                return None
            return answer.read().decode().strip()
    except Exception:
        return None


def as_int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def main(machine_features, job_features):
    values = {key: read(machine_features, key)
              for key in ("total_cpu", "hs06", "shutdowntime", "grace_secs")}
    values.update({key: read(job_features, key)
                   for key in ("allocated_cpu", "jobstart_secs", "wall_limit_secs",
                               "shutdowntime_job", "job_id")})
    ends = []
    start, wall = as_int(values["jobstart_secs"]), as_int(values["wall_limit_secs"])
    if start is not None and wall is not None:
        ends.append(start + wall)
    for key in ("shutdowntime_job", "shutdowntime"):
        if as_int(values[key]) is not None:
            ends.append(as_int(values[key]))
    values["time_left"] = min(ends) - int(time.time()) if ends else None
    print(json.dumps(values))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
