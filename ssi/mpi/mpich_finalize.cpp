// libatoll-mpich-finalize.so: keeps MPICH 4.0.2's MPI_Finalize from hanging
// over UCX's TCP transport (doc/mpi.md, "MPICH's finalize"). mpi-rank
// preloads it into MPICH programs.
//
// The hang, as caught in the box and on a plain Debian 12 host: MPICH
// 4.0.2's finalize (ch4:ucx) closes every UCX endpoint with
// ucp_disconnect_nb, calls ucp_worker_progress until all those requests are
// complete, then waits in a PMI barrier for every other rank, and only then
// destroys its worker. Closing an endpoint flushes it, and a flush over TCP
// can need the peer to answer. A rank whose own closes completed first sits
// in the PMI barrier and answers nothing, so a slower rank's flush towards
// it never completes: that rank spins in ucp_worker_progress forever and the
// others wait for it in the barrier. 6 of 12 jobs of 4 ranks hung this way
// on one host with UCX_TLS=tcp,self. MPICH fixed it upstream in 4.2.0 (the
// barrier moved before the closes, commit 08d8105b7b); Debian 12 ships
// 4.0.2.
//
// The fix here: from the first ucp_disconnect_nb (MPICH 4.0.2 calls it only
// in finalize) until ucp_worker_destroy, a helper thread keeps progressing
// the rank's workers, so a rank waiting in the barrier still answers its
// peers. The main thread and the helper never run inside UCX at once: every
// UCX call MPICH makes in that window (the ones below) takes the same lock,
// as does each helper step; UCX's single-thread mode is kept. Outside that
// window the wrappers only pass the call on.
//
// Nothing here is MPICH's or UCX's code: the calls go to the real functions
// (dlsym RTLD_NEXT), which libmpich reaches through its PLT.
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>
#include <ucp/api/ucp.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace {

// The real function NAME, looked up at its first call (not at load: Open
// MPI loads libucp later, with a component). A wrapper only runs when a
// caller was linked against libucp, so a missing one ends the process with
// a message. Threads may race to look it up; they store the same value.
template <typename F>
F real(std::atomic<F>& cache, const char* name) {
    F f = cache.load(std::memory_order_acquire);
    if (f == nullptr) {
        f = reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
        if (f == nullptr) {
            std::fprintf(stderr, "libatoll-mpich-finalize: %s not found: %s\n", name, ::dlerror());
            std::abort();
        }
        cache.store(f, std::memory_order_release);
    }
    return f;
}

using worker_create_t = ucs_status_t (*)(ucp_context_h, const ucp_worker_params_t*, ucp_worker_h*);
using worker_destroy_t = void (*)(ucp_worker_h);
using worker_progress_t = unsigned (*)(ucp_worker_h);
using disconnect_t = ucs_status_ptr_t (*)(ucp_ep_h);
using request_check_t = ucs_status_t (*)(void*);
using request_completed_t = int (*)(void*);
using request_release_t = void (*)(void*);

std::atomic<worker_create_t> real_worker_create;
std::atomic<worker_destroy_t> real_worker_destroy;
std::atomic<worker_progress_t> real_worker_progress;
std::atomic<disconnect_t> real_disconnect;
std::atomic<request_check_t> real_request_check;
std::atomic<request_completed_t> real_request_completed;
std::atomic<request_release_t> real_request_release;
std::atomic<request_release_t> real_request_free;

// MPICH makes one worker per VCI (1 unless configured otherwise).
constexpr std::size_t max_workers = 64;
pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
std::array<ucp_worker_h, max_workers> workers{};
std::size_t n_workers = 0;

// Held by the main thread inside every UCX call of the finalize window and
// by the helper for each step of progress. Recursive: a completion callback
// that UCX runs inside progress may release its request through the
// wrappers below.
pthread_mutex_t ucx_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
std::atomic<bool> finalizing{false};
std::atomic<bool> stop_helper{false};
bool helper_running = false;
pthread_t helper;

class Guard {
public:
    Guard() : held_(finalizing.load(std::memory_order_acquire)) {
        if (held_)
            pthread_mutex_lock(&ucx_lock);
    }
    ~Guard() {
        if (held_)
            pthread_mutex_unlock(&ucx_lock);
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    bool held_;
};

void* progress_workers(void*) {
    auto* progress = real(real_worker_progress, "ucp_worker_progress");
    const timespec pause{0, 200 * 1000};  // 0.2 ms: answers promptly, spins little
    while (!stop_helper.load(std::memory_order_acquire)) {
        pthread_mutex_lock(&ucx_lock);
        pthread_mutex_lock(&workers_lock);
        for (std::size_t i = 0; i < n_workers; ++i)
            progress(workers[i]);
        pthread_mutex_unlock(&workers_lock);
        pthread_mutex_unlock(&ucx_lock);
        nanosleep(&pause, nullptr);
    }
    return nullptr;
}

void close_window() {
    if (!helper_running)
        return;
    stop_helper.store(true, std::memory_order_release);
    pthread_join(helper, nullptr);
    helper_running = false;
}

// Only MPICH's finalize has the window's shape (its disconnects, a barrier
// that runs no UCX, then the worker's destruction). Open MPI also calls
// ucp_disconnect_nb, then goes on with UCX calls not wrapped here, so in
// any process without libmpich every wrapper only passes the call on. That
// makes the preload safe for any rank (mpi-rank sets it for all of them).
bool in_mpich() {
    static const bool yes = ::dlopen("libmpich.so.12", RTLD_LAZY | RTLD_NOLOAD) != nullptr;
    return yes;
}

// The finalize window opens: from now on every wrapped call takes the lock,
// and the helper starts. If it cannot start, finalize goes on as before.
void open_window() {
    if (finalizing.load(std::memory_order_acquire) || !in_mpich())
        return;
    if (finalizing.exchange(true, std::memory_order_acq_rel))
        return;
    helper_running = pthread_create(&helper, nullptr, progress_workers, nullptr) == 0;
    // A finalize that fails in its barrier exits the process without
    // destroying the worker: stop the helper before UCX's own teardown.
    if (helper_running)
        (void)std::atexit(close_window);
}

}  // namespace

extern "C" {

ucs_status_t ucp_worker_create(ucp_context_h context, const ucp_worker_params_t* params, ucp_worker_h* worker_p) {
    const ucs_status_t s = real(real_worker_create, "ucp_worker_create")(context, params, worker_p);
    if (s == UCS_OK) {
        pthread_mutex_lock(&workers_lock);
        if (n_workers < max_workers)
            workers[n_workers++] = *worker_p;
        pthread_mutex_unlock(&workers_lock);
    }
    return s;
}

void ucp_worker_destroy(ucp_worker_h worker) {
    close_window();
    pthread_mutex_lock(&workers_lock);
    for (std::size_t i = 0; i < n_workers; ++i)
        if (workers[i] == worker) {
            workers[i] = workers[--n_workers];
            break;
        }
    pthread_mutex_unlock(&workers_lock);
    real(real_worker_destroy, "ucp_worker_destroy")(worker);
}

ucs_status_ptr_t ucp_disconnect_nb(ucp_ep_h ep) {
    open_window();
    Guard g;
    return real(real_disconnect, "ucp_disconnect_nb")(ep);
}

unsigned ucp_worker_progress(ucp_worker_h worker) {
    Guard g;
    return real(real_worker_progress, "ucp_worker_progress")(worker);
}

ucs_status_t ucp_request_check_status(void* request) {
    Guard g;
    return real(real_request_check, "ucp_request_check_status")(request);
}

int ucp_request_is_completed(void* request) {
    Guard g;
    return real(real_request_completed, "ucp_request_is_completed")(request);
}

void ucp_request_release(void* request) {
    Guard g;
    real(real_request_release, "ucp_request_release")(request);
}

void ucp_request_free(void* request) {
    Guard g;
    real(real_request_free, "ucp_request_free")(request);
}

}  // extern "C"
