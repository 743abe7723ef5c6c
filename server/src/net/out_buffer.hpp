#pragma once
// A connection's pending output: bytes appended at the back, sent from an offset at the front.
// Sending never erases per write; the front is compacted only when it is both large and more
// than half of the buffer, and an emptied buffer over 1 KiB gives its memory back.

#include <cstddef>
#include <string>

namespace sockjs::net {

class out_buffer {
public:
    /// Append to this, then tell the connection (tcp_connection::wrote()).
    std::string& tail() { return data_; }
    const char* data() const { return data_.data() + offset_; }
    std::size_t size() const { return data_.size() - offset_; }
    bool empty() const { return size() == 0; }

    void consume(std::size_t n) {
        offset_ += n;
        if (offset_ >= data_.size()) {
            clear();
        } else if (offset_ > (64u << 10) && offset_ * 2 > data_.size()) {
            data_.erase(0, offset_);
            offset_ = 0;
        }
    }

    void clear() {
        offset_ = 0;
        // A buffer that a response head or a few messages fit is kept for the next write.
        if (data_.capacity() > keep_capacity) std::string().swap(data_);
        else data_.clear();
    }

    /// Frees an empty buffer above `keep` bytes: a connection that may now stay idle for long
    /// (a held WebSocket, a stream or a long poll waiting) does not keep the memory of its
    /// largest recent write (the 101 head, a 2 KiB streaming prelude, a response head).
    void trim(std::size_t keep) {
        if (empty() && data_.capacity() > keep) {
            std::string().swap(data_);
            offset_ = 0;
        }
    }

    static constexpr std::size_t keep_capacity = 1024;

private:
    std::string data_;
    std::size_t offset_ = 0;
};

}  // namespace sockjs::net
