/* Reads "soname symbol" lines and calls each symbol once with zero arguments, printing "soname symbol result".
   Used for entries without an implementation, whose wrappers answer NOT_SUPPORTED without reading arguments. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

typedef int (*any_entry)(long, long, long, long, long, long);

int main(void)
{
    char soname[256], symbol[256];
    while (scanf("%255s %255s", soname, symbol) == 2) {
        void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        any_entry entry = library ? (any_entry)dlsym(library, symbol) : NULL;
        if (!entry) {
            printf("%s %s missing\n", soname, symbol);
            continue;
        }
        printf("%s %s %d\n", soname, symbol, entry(0, 0, 0, 0, 0, 0));
    }
    return 0;
}
