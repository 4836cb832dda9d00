/* The interface between the generated shims and libcuemu.so, the one native host core every shim links. */
#ifndef CUEMU_CORE_H
#define CUEMU_CORE_H

#define CUEMU_EXPORT __attribute__((visibility("default")))

/* One slot per entry of the API table (ApiGen numbers them); filled by the managed bootstrap. */
extern void* cuemu_entry_table[];

/* Starts the .NET runtime once per process (on first use) and returns the slot's function, or NULL when the
   runtime cannot be started; the caller then returns its family's not-initialised code. */
void* cuemu_resolve(int index);

/* What an entry returning a string answers when the runtime cannot be started. */
#define CUEMU_RUNTIME_MISSING_TEXT "cuemu: the .NET runtime could not be started (see stderr; set DOTNET_ROOT)"

#endif
