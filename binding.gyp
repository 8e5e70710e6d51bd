{
  "targets": [
    {
      "target_name": "trampfd",
      "sources": [
        "native/addon.c",
        "native/napi-util.c",
        "native/js-tramp.c",
        "native/js-call.c",
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
  ]
}
