# Area: libtrampfd-ffi.so under Python ctypes. Purpose: from inside a running ctypes callback,
# reads /proc/self/maps and prints, as JSON, every writable+executable mapping and every file
# or memfd mapped both writable-shared and executable (a writable alias of code), the mapping
# that holds the callback's code address, and the shim's own status when it is loaded.
import ctypes
import json
import sys

class Stats(ctypes.Structure):  # struct tramp_stats (native/tramp.h): every field, or C writes past it
    _fields_ = [("mode", ctypes.c_int)] + [(n, ctypes.c_size_t) for n in (
        "tables", "live", "quarantined", "capacity", "image_used", "image_capacity",
        "slot_bytes", "data_bytes")] + [("fallback_reason", ctypes.c_char_p), ("sealed", ctypes.c_int)]

def mappings():
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split(None, 5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            out.append({"start": start, "end": end, "perms": fields[1], "dev": fields[3],
                        "inode": fields[4], "path": fields[5].strip() if len(fields) > 5 else "",
                        "line": line.rstrip("\n")})
    return out

def violations(maps):
    bad = [m["line"] for m in maps if m["perms"][1] == "w" and m["perms"][2] == "x"]
    files = {}
    for m in maps:
        if m["inode"] != "0":
            files.setdefault((m["dev"], m["inode"]), []).append(m)
    for group in files.values():
        executable = [m for m in group if m["perms"][2] == "x"]
        writable_shared = [m for m in group if m["perms"][1] == "w" and m["perms"][3] == "s"]
        if executable and writable_shared:
            bad += [m["line"] for m in executable + writable_shared]
        bad += [m["line"] for m in executable if m["path"].startswith("/memfd:")]
    return sorted(set(bad))

report = {}
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))

def compare(a, b):
    if "maps" not in report:
        report["maps"] = mappings()
    return a[0] - b[0]

callback = CMP(compare)
code = ctypes.cast(callback, ctypes.c_void_p).value
values = (ctypes.c_int * 5)(5, 3, 9, 1, 7)
libc = ctypes.CDLL(None)
libc.qsort(values, 5, ctypes.sizeof(ctypes.c_int), callback)
maps = report.pop("maps")
holder = [m["line"] for m in maps if m["start"] <= code < m["end"]]
status = {}
if hasattr(libc, "trampfd_ffi_status"):
    stats = Stats()
    reason = ctypes.c_char_p()
    libc.trampfd_ffi_status.argtypes = [ctypes.POINTER(Stats), ctypes.POINTER(ctypes.c_char_p)]
    status = {"active": libc.trampfd_ffi_status(ctypes.byref(stats), ctypes.byref(reason)) == 1,
              "mode": stats.mode, "live": stats.live,
              "reason": reason.value.decode() if reason.value else None}
json.dump({"sorted": list(values), "violations": violations(maps), "code": holder[0] if holder else None,
           "shim": status}, sys.stdout)
