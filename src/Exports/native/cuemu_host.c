/*
 * libcuemu.so: hosts the .NET runtime once per process for every shim (libcuda.so.1, libcudart.so.13, ...).
 *
 * The runtime starts lazily, on the first call into any shim, under pthread_once: starting it from a library
 * constructor would run inside the dynamic loader's lock. The managed assembly is found from this library's own
 * path (<home>/lib/libcuemu.so -> <home>/managed/Emulator.Exports.dll) or from CUEMU_HOME; hostfxr is found by
 * nethost (DOTNET_ROOT, then the default install locations). One managed call, NativeBootstrap.Initialize, fills
 * the entry table. When anything fails, one message goes to stderr and every call returns its family's
 * not-initialised code: the host process is never aborted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreclr_delegates.h>
#include <hostfxr.h>
#include <nethost.h>

#include "cuemu_core.h"
#include "cuemu_entries.h"

CUEMU_EXPORT void* cuemu_entry_table[CUEMU_ENTRY_COUNT];

static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static int runtime_ready;
static char hostfxr_error[512];

typedef int (*bootstrap_fn)(void** table, int count, const char* library_directory);

static void report_failure(const char* what, const char* detail)
{
    fprintf(stderr,
            "cuemu: cannot start the .NET runtime: %s%s%s. Every CUDA call will fail. Install the .NET 10 runtime "
            "and set DOTNET_ROOT to its folder (e.g. DOTNET_ROOT=/usr/share/dotnet), or set CUEMU_HOME to the "
            "folder holding lib/ and managed/.\n",
            what, detail[0] ? ": " : "", detail);
}

/* hostfxr reports problems through this writer; keep the last one for our single message. */
static void HOSTFXR_CALLTYPE capture_hostfxr_error(const char_t* message)
{
    snprintf(hostfxr_error, sizeof hostfxr_error, "%s", message);
}

/* <home> is CUEMU_HOME, or the parent of the folder holding this library. */
static int find_home(char* home, size_t size)
{
    const char* configured = getenv("CUEMU_HOME");
    if (configured && configured[0]) {
        snprintf(home, size, "%s", configured);
        return 1;
    }
    Dl_info info;
    char resolved[PATH_MAX + 8];
    if (!dladdr((void*)&cuemu_resolve, &info) || !info.dli_fname || !realpath(info.dli_fname, resolved)) return 0;
    char* slash = strrchr(resolved, '/');
    if (!slash) return 0;
    *slash = '\0'; /* <home>/lib */
    snprintf(home, size, "%s/..", resolved);
    return 1;
}

static void start_runtime(void)
{
    char home[2 * PATH_MAX], library_directory[2 * PATH_MAX + 8], assembly[2 * PATH_MAX + 64], config[2 * PATH_MAX + 64];
    if (!find_home(home, sizeof home)) {
        report_failure("cannot locate the cuemu folder", "set CUEMU_HOME");
        return;
    }
    snprintf(library_directory, sizeof library_directory, "%s/lib", home);
    snprintf(assembly, sizeof assembly, "%s/managed/Emulator.Exports.dll", home);
    snprintf(config, sizeof config, "%s/managed/Emulator.Exports.runtimeconfig.json", home);

    char fxr_path[PATH_MAX];
    size_t fxr_size = sizeof fxr_path;
    /* A DOTNET_ROOT that is set is used alone: falling back to another install would hide the user's mistake. */
    const char* dotnet_root = getenv("DOTNET_ROOT");
    struct get_hostfxr_parameters parameters = { sizeof parameters, assembly, NULL };
    if (dotnet_root && dotnet_root[0]) parameters.dotnet_root = dotnet_root;
    if (get_hostfxr_path(fxr_path, &fxr_size, &parameters) != 0) {
        report_failure("hostfxr (the .NET host) was not found",
                       dotnet_root && dotnet_root[0] ? "DOTNET_ROOT holds no host/fxr" : "no .NET install found");
        return;
    }
    void* fxr = dlopen(fxr_path, RTLD_NOW | RTLD_LOCAL);
    if (!fxr) {
        report_failure("cannot load hostfxr", dlerror());
        return;
    }
    hostfxr_set_error_writer_fn set_error_writer = (hostfxr_set_error_writer_fn)dlsym(fxr, "hostfxr_set_error_writer");
    hostfxr_initialize_for_runtime_config_fn initialize =
        (hostfxr_initialize_for_runtime_config_fn)dlsym(fxr, "hostfxr_initialize_for_runtime_config");
    hostfxr_get_runtime_delegate_fn get_delegate =
        (hostfxr_get_runtime_delegate_fn)dlsym(fxr, "hostfxr_get_runtime_delegate");
    hostfxr_close_fn close_context = (hostfxr_close_fn)dlsym(fxr, "hostfxr_close");
    if (!set_error_writer || !initialize || !get_delegate || !close_context) {
        report_failure("hostfxr lacks the hosting API", fxr_path);
        return;
    }
    set_error_writer(capture_hostfxr_error);

    hostfxr_handle context = NULL;
    int rc = initialize(config, NULL, &context);
    /* 0: started; 1: the process already runs .NET (a managed host loaded us); 2: same, other properties. */
    if (rc < 0 || rc > 2 || !context) {
        report_failure("hostfxr could not initialise the runtime", hostfxr_error[0] ? hostfxr_error : config);
        if (context) close_context(context);
        return;
    }
    load_assembly_and_get_function_pointer_fn load = NULL;
    rc = get_delegate(context, hdt_load_assembly_and_get_function_pointer, (void**)&load);
    close_context(context);
    if (rc != 0 || !load) {
        report_failure("no load_assembly_and_get_function_pointer delegate", hostfxr_error);
        return;
    }
    bootstrap_fn bootstrap = NULL;
    rc = load(assembly, "Emulator.Exports.Hosting.NativeBootstrap, Emulator.Exports", "Initialize",
              UNMANAGEDCALLERSONLY_METHOD, NULL, (void**)&bootstrap);
    if (rc != 0 || !bootstrap) {
        report_failure("cannot load the managed entry point", hostfxr_error[0] ? hostfxr_error : assembly);
        return;
    }
    set_error_writer(NULL);
    if (bootstrap(cuemu_entry_table, CUEMU_ENTRY_COUNT, library_directory) != 0) {
        memset(cuemu_entry_table, 0, sizeof cuemu_entry_table);
        report_failure("the managed bootstrap failed", "see the cuemu log");
        return;
    }
    runtime_ready = 1;
}

CUEMU_EXPORT void* cuemu_resolve(int index)
{
    pthread_once(&runtime_once, start_runtime);
    if (!runtime_ready || index < 0 || index >= CUEMU_ENTRY_COUNT) return NULL;
    return __atomic_load_n(&cuemu_entry_table[index], __ATOMIC_ACQUIRE);
}
