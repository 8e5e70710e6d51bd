{
  "targets": [
    {
      "target_name": "napi_callback",
      "sources": ["addon.c"],
      "cflags": ["-O2"]
    }
  ]
}
