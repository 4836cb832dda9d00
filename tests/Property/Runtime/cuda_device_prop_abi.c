/* Independent layout oracle for the cudaDeviceProp ABIs: the field lists of NVIDIA's driver_types.h (CUDA 11.x,
 * 12.x and 13.x, in cuda_device_prop.h beside the runtime test programs) laid out by gcc. Prints
 * "<abi> <field> <offset>" for every field and "<abi> sizeof <size>"; DevicePropLayoutTests compares every line
 * with the C# structs. */
#include <stdio.h>
#include "../../Native/programs/runtime/cuda_device_prop.h"

struct prop11 { CUEMU_DEVICE_PROP_11_FIELDS(CUEMU_DECLARE_FIELD) };
struct prop12 { CUEMU_DEVICE_PROP_12_FIELDS(CUEMU_DECLARE_FIELD) };
struct prop13 { CUEMU_DEVICE_PROP_13_FIELDS(CUEMU_DECLARE_FIELD) };

#define PRINT_OFFSET_11(type, name, extent) printf("11 " #name " %zu\n", offsetof(struct prop11, name));
#define PRINT_OFFSET_12(type, name, extent) printf("12 " #name " %zu\n", offsetof(struct prop12, name));
#define PRINT_OFFSET_13(type, name, extent) printf("13 " #name " %zu\n", offsetof(struct prop13, name));

int main(void)
{
    printf("11 sizeof %zu\n", sizeof(struct prop11));
    CUEMU_DEVICE_PROP_11_FIELDS(PRINT_OFFSET_11)
    printf("12 sizeof %zu\n", sizeof(struct prop12));
    CUEMU_DEVICE_PROP_12_FIELDS(PRINT_OFFSET_12)
    printf("13 sizeof %zu\n", sizeof(struct prop13));
    CUEMU_DEVICE_PROP_13_FIELDS(PRINT_OFFSET_13)
    return 0;
}
