/* Linked against the impostor libcuda.so.1; prints which library answered. Under LD_PRELOAD, cuemu must. */
#include <stdio.h>
int cuDriverGetVersion(int* version);
int main(void)
{
    int version = 0;
    int result = cuDriverGetVersion(&version);
    printf("result=%d version=%d\n", result, version);
    return 0;
}
