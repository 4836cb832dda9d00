/* Eight threads make the process's first CUDA call at once: the runtime starts once and every call succeeds. */
#include <pthread.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

enum { THREADS = 8 };
static pthread_barrier_t start;
static int versions[THREADS];
static CUresult results[THREADS];

static void* first_call(void* argument)
{
    int index = (int)(long)argument;
    pthread_barrier_wait(&start);
    results[index] = cuDriverGetVersion(&versions[index]);
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (long i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, first_call, (void*)i);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(CUDA_SUCCESS, results[i]);
        CHECK_EQ(versions[0], versions[i]);
    }
    CHECK(versions[0] >= 12000, "version %d", versions[0]);
    printf("concurrent_first_call: %d failures\n", check_failures);
    return check_failures;
}
