/* placeholder */ typedef int bzl_placeholder_t;
