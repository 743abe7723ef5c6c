// client-wasm/src/heap.cpp as this program's only malloc (linked with -sMALLOC=none): every
// block is 16-byte aligned, keeps its bytes while others come and go, is reused for its size
// class once freed, and the heap grows the wasm memory for a large block.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok && failures++ < 10) std::printf("FAILED: %s\n", what);
}

std::uint32_t next_random(std::uint32_t& s) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

struct block {
    unsigned char* p;
    std::size_t n;
    unsigned char fill;
};

}  // namespace

int main() {
    // Sizes around every class boundary, each filled with its own byte.
    std::vector<block> live;
    live.reserve(4096);
    std::uint32_t seed = 12345;
    for (int round = 0; round < 20000; ++round) {
        if (!live.empty() && next_random(seed) % 3 == 0) {
            const std::size_t i = next_random(seed) % live.size();
            const block b = live[i];
            bool intact = true;
            for (std::size_t j = 0; j < b.n; ++j) intact = intact && b.p[j] == b.fill;
            check(intact, "a block keeps its bytes until freed");
            std::free(b.p);
            live[i] = live.back();
            live.pop_back();
            continue;
        }
        const std::uint32_t r = next_random(seed);
        const std::size_t n = r % 7 == 0 ? (std::size_t{32} << (r % 9)) - 16 - 1 + r % 3 : r % 300;
        auto* p = static_cast<unsigned char*>(std::malloc(n));
        check(p != nullptr, "malloc returns a block");
        check(reinterpret_cast<std::uintptr_t>(p) % 16 == 0, "blocks are 16-byte aligned");
        const auto fill = static_cast<unsigned char>(round);
        std::memset(p, fill, n);
        if (live.size() < 4000) live.push_back({p, n, fill});
        else std::free(p);
    }
    for (const block& b : live) std::free(b.p);

    // A freed block serves the next request of its size class.
    // (The addresses go through volatile: the compiler may assume that malloc's result never
    // equals an earlier block's.)
    volatile std::uintptr_t first = reinterpret_cast<std::uintptr_t>(std::malloc(100));
    std::free(reinterpret_cast<void*>(first));
    volatile std::uintptr_t second = reinterpret_cast<std::uintptr_t>(std::malloc(90));
    check(first == second, "a freed block is reused for its size class");

    // 40 MB: more than the initial memory, so the memory grows; its last byte is writable.
    const std::size_t big = 40u << 20;
    auto* p = static_cast<unsigned char*>(std::malloc(big));
    check(p != nullptr, "a large block");
    p[0] = 1;
    p[big - 1] = 2;
    check(p[0] == 1 && p[big - 1] == 2, "a large block is usable to its end");
    std::free(p);

    std::printf("%s\n", failures == 0 ? "heap: all checks passed" : "heap: checks failed");
    return failures == 0 ? 0 : 1;
}
