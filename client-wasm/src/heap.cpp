// The browser module's malloc and free (the module links with -sMALLOC=none).
//
// Why not emmalloc, Emscripten's smallest allocator: it was 1.2 KB of the 12.6 KB gzipped
// .wasm (measured against a bump allocator), for a module that allocates little besides
// message buffers and a few session objects. This one keeps a free list per power-of-two block
// size: a block is reused only for requests of its own size class, and memory is taken from
// the top of the heap (growing the wasm memory) and never returned, as the wasm memory never shrinks
// anyway. Waste is bounded by half a block; libc and libc++ call nothing else (the link fails if
// they would: no realloc, calloc or aligned_alloc is defined).
//
// Running out of memory aborts (wasi proc_exit: the glue throws), as emmalloc's default did:
// operator new, built without exceptions, would otherwise return null.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <emscripten/heap.h>

extern "C" unsigned char __heap_base;  // defined by the linker

namespace {

// Payloads keep malloc's 16-byte alignment: the header before each is 16 bytes, and every
// block is a power of two of at least 32 bytes taken from a 16-byte aligned break.
constexpr std::size_t header = 16;
constexpr unsigned min_class = 5;
constexpr unsigned max_class = 30;  // 1 GiB blocks: beyond any message (wasm32 memory is 4 GiB)

void* free_blocks[max_class + 1];  // per class: the first free block; each holds the next

unsigned size_class(std::size_t n) {
    unsigned k = min_class;
    while (k <= max_class && (std::size_t{1} << k) - header < n) ++k;
    return k;
}

// The break: memory from the end of the module's data and stack (the linker's __heap_base) up,
// growing the wasm memory as needed.
unsigned char* take_memory(std::size_t bytes) {
    static std::uint64_t brk = (reinterpret_cast<std::uintptr_t>(&__heap_base) + 15) / 16 * 16;
    const std::uint64_t end = brk + bytes;
    // Emscripten's own growth call (the standalone module's libc grows the memory and tells the
    // glue; under Emscripten's JavaScript runtime, as in the tests, the runtime does it).
    if (end > std::uint64_t{__builtin_wasm_memory_size(0)} * 65536 &&
        (end > SIZE_MAX || !emscripten_resize_heap(static_cast<std::size_t>(end))))
        std::abort();
    auto* p = reinterpret_cast<unsigned char*>(static_cast<std::uintptr_t>(brk));
    brk = end;
    return p;
}

}  // namespace

extern "C" void* malloc(std::size_t n) {
    const unsigned k = size_class(n);
    if (k > max_class) std::abort();
    auto* block = static_cast<unsigned char*>(free_blocks[k]);
    if (block != nullptr) {
        free_blocks[k] = *reinterpret_cast<void**>(block + header);
    } else {
        block = take_memory(std::size_t{1} << k);
    }
    *reinterpret_cast<unsigned*>(block) = k;
    return block + header;
}

extern "C" void free(void* p) {
    if (p == nullptr) return;
    auto* block = static_cast<unsigned char*>(p) - header;
    const unsigned k = *reinterpret_cast<unsigned*>(block);
    *reinterpret_cast<void**>(p) = free_blocks[k];
    free_blocks[k] = block;
}
