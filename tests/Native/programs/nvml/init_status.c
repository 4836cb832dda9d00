/* Prints what nvmlInit_v2 answers in this environment, its error string, and whether device calls then work. */
#include <stdio.h>
#include <cuemu/cuemu_api.h>

int main(void)
{
    nvmlReturn_t init = nvmlInit_v2();
    unsigned int count = 0;
    nvmlReturn_t counted = nvmlDeviceGetCount_v2(&count);
    printf("init=%d (%s) count=%d devices=%u\n", (int)init, nvmlErrorString(init), (int)counted, count);
    return 0;
}
