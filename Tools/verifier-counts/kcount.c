// kcount OBJECT PROGRAM...: loads each named program of a BPF object on its own through libbpf
// with BPF_LOG_STATS and prints "OBJECT PROGRAM processed N" (N from the kernel's own
// "processed N insns" line, whether the load succeeded or not), or "OBJECT PROGRAM none".
// Used to compare the embedded verifier's processed-instruction counts with the kernel's.
// Maps are created unpinned (Cilium pins by name). With KCOUNT_LOG=FILE the kernel's level-2
// log of the last program is written there (its "N: safe" lines, for cilium/tracecmp.sh).
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *format, va_list args) { return 0; }

static void count(const char *path, const char *name) {
    static char log[1 << 28];
    const char *log_file = getenv("KCOUNT_LOG");
    struct bpf_object *object = bpf_object__open_file(path, NULL);
    if (!object) { printf("%s %s none\n", path, name); return; }
    struct bpf_map *map;
    bpf_object__for_each_map(map, object) bpf_map__set_pin_path(map, NULL);
    struct bpf_program *program;
    struct bpf_program *wanted = NULL;
    bpf_object__for_each_program(program, object) {
        int mine = strcmp(bpf_program__name(program), name) == 0;
        bpf_program__set_autoload(program, mine);
        if (mine) wanted = program;
    }
    if (!wanted) { printf("%s %s none\n", path, name); bpf_object__close(object); return; }
    log[0] = 0;
    bpf_program__set_log_level(wanted, log_file ? 2 | 4 : 4);
    bpf_program__set_log_buf(wanted, log, sizeof log);
    int err = bpf_object__load(object);
    if (log_file) {
        FILE *out = fopen(log_file, "w");
        if (out) { fputs(log, out); fclose(out); }
    }
    const char *at = strstr(log, "processed ");
    if (at) printf("%s %s processed %ld%s\n", path, name, strtol(at + 10, NULL, 10), err ? " refused" : "");
    else printf("%s %s none\n", path, name);
    bpf_object__close(object);
}

int main(int argc, char **argv) {
    libbpf_set_print(quiet);
    if (argc < 3) { fprintf(stderr, "usage: kcount OBJECT PROGRAM...\n"); return 2; }
    for (int i = 2; i < argc; i++) count(argv[1], argv[i]);
    return 0;
}
