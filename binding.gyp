{
  "targets": [
    {
      "target_name": "vmprobe",
      "sources": [
        "native/addon.cc",
        "native/constants.cc",
        "native/libc.cc",
        "native/mapping.cc",
        "native/touch.cc",
        "native/sigbus_guard.cc",
        "native/residency.cc",
        "native/heap.cc",
        "native/block_set.cc",
        "native/allocator_identity.cc",
        "native/glibc_malloc.cc",
        "native/usage.cc",
        "native/pagecache.cc",
        "native/layout.cc",
        "native/stack.cc",
        "native/stack_records.cc",
        "native/malloc_control.cc",
        "native/live.cc",
        "native/workloads.cc",
        "native/pagetables.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      # Hazard: with C++ exceptions on, node-addon-api rethrows (std::terminate) when it cannot
      # hand a Napi::Error to JS because the env is terminating; this define drops it instead.
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["'<!(node -p \"process.env.VMPROBE_SANITIZE || ''\")'!=''", {
          "cflags_cc": ["-fsanitize=<!(node -p \"process.env.VMPROBE_SANITIZE\")", "-fno-omit-frame-pointer", "-g"],
          "ldflags": ["-fsanitize=<!(node -p \"process.env.VMPROBE_SANITIZE\")"]
        }]
      ]
    }
  ]
}
