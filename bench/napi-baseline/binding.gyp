{
  "targets": [
    {
      "target_name": "napi_baseline",
      "sources": ["addon.c", "../bench-lib.c"],
      "cflags": ["-O2"]
    }
  ]
}
