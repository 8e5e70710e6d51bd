{
  "targets": [
    {
      "target_name": "trampfd",
      "sources": [
        "native/addon.c",
        "native/napi-util.c",
        "native/js-tramp.c",
        "native/js-call.c",
        "native/js-dl.c",
        "native/js-memory.c",
        "native/js-callback.c",
        "native/js-ops.c",
        "native/tramp.c",
        "native/arch/x86_64-sysv-tramp.S",
        "native/arch/x86_64-sysv-call.S"
      ],
      "cflags": ["-std=c11", "-O2", "-Wall", "-Wextra", "-fcf-protection", "-fvisibility=hidden"],
      "cflags!": ["-fno-exceptions"],
      "ldflags": ["-Wl,-z,max-page-size=0x10000", "-Wl,-z,noexecstack", "-lpthread"]
    },
    {
      "target_name": "trampfd-mdwe-exec",
      "type": "executable",
      "sources": ["native/mdwe-exec.c"],
      "cflags": ["-std=c11", "-O2", "-Wall"]
    }
  ],
  "conditions": [
    ["<!(node scripts/has-libffi.mjs)==1", {
      "targets": [
        {
          "target_name": "trampfd-ffi",
          "type": "shared_library",
          "product_prefix": "lib",
          "sources": [
            "native/ffi/ffi-shim.c",
            "native/ffi/ffi-shim-x86_64.c",
            "native/tramp.c",
            "native/arch/x86_64-sysv-tramp.S"
          ],
          "cflags": ["-std=c11", "-O2", "-Wall", "-Wextra", "-fcf-protection", "-fvisibility=hidden",
                     "-Wno-deprecated-declarations"],
          "ldflags": [
            "-Wl,-z,max-page-size=0x10000",
            "-Wl,-z,noexecstack",
            "-Wl,-z,nodelete",
            "-Wl,--version-script=<(module_root_dir)/native/ffi/libtrampfd-ffi.map"
          ],
          "libraries": ["-lffi", "-lpthread"]
        }
      ]
    }]
  ]
}
