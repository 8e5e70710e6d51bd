{
  "variables": {
    "trampfd_arch%": "<!(node -p \"({x64:'x86_64',ia32:'i386',arm64:'aarch64',riscv64:'riscv64'})['<(target_arch)'] || 'unsupported'\")"
  },
  "target_defaults": {
    "include_dirs": ["native/arch/<(trampfd_arch)"],
    "cflags": ["-std=c11", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"],
    "ldflags": ["-Wl,-z,max-page-size=0x10000", "-Wl,-z,noexecstack"],
    "conditions": [
      ["target_arch=='x64' or target_arch=='ia32'", {
        "cflags": ["-fcf-protection"]
      }],
      ["target_arch=='arm64'", {
        "cflags": ["-mbranch-protection=standard", "-mno-outline-atomics"]
      }],
      # node-gyp leaves out -fPIC on ia32 Linux: the code would need text relocations, which
      # ld.so applies by making our text writable, and which MDWE refuses. -z text makes one an error.
      ["target_arch=='ia32'", {
        "cflags": ["-fPIC"],
        "ldflags": ["-Wl,-z,text"]
      }]
    ]
  },
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
        "native/js-cb-ops.c",
        "native/tramp.c",
        "native/arch/<(trampfd_arch)/arch.c",
        "native/arch/<(trampfd_arch)/tramp.S",
        "native/arch/<(trampfd_arch)/call.S"
      ],
      "cflags!": ["-fno-exceptions"],
      "ldflags": ["-lpthread"],
      "conditions": [
        ["target_arch=='arm64'", {
          "ldflags": ["-nostartfiles", "-Wl,-z,force-bti"]
        }]
      ]
    },
    {
      "target_name": "trampfd-mdwe-exec",
      "type": "executable",
      "sources": ["native/mdwe-exec.c"]
    }
  ],
  "conditions": [
    ["<!(node scripts/has-libffi.mjs)==1 and (trampfd_arch=='x86_64' or trampfd_arch=='aarch64')", {
      "targets": [
        {
          "target_name": "trampfd-ffi",
          "type": "shared_library",
          "product_prefix": "lib",
          "sources": [
            "native/ffi/ffi-shim.c",
            "native/ffi/ffi-shim-<(trampfd_arch).c",
            "native/tramp.c",
            "native/arch/<(trampfd_arch)/arch.c",
            "native/arch/<(trampfd_arch)/tramp.S"
          ],
          # Speed (bench/ffi-shim.mjs): the allocator's calls are inlined into the shim's across
          # files (LTO; TRAMP_API empty: they stay local, the version script exports none) and
          # the hot paths keep no frame pointer.
          "cflags": ["-Wno-deprecated-declarations", "<!@(node scripts/has-libffi.mjs --cflags)",
                     "-flto", "-DTRAMP_API=", "-fomit-frame-pointer", "--param=max-inline-insns-auto=80"],
          "cflags!": ["-fno-omit-frame-pointer"],
          "ldflags": [
            "-flto", "-O3", "--param=max-inline-insns-auto=80",
            "-Wl,-z,nodelete",
            "-Wl,--version-script=<(module_root_dir)/native/ffi/libtrampfd-ffi.map"
          ],
          "libraries": ["<!@(node scripts/has-libffi.mjs --libs)", "-lffi", "-lpthread"],
          "conditions": [
            ["target_arch=='arm64'", {
              "ldflags": ["-nostartfiles", "-Wl,-z,force-bti"]
            }]
          ]
        }
      ]
    }]
  ]
}
