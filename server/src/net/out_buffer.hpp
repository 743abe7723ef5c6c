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
        // Thousands of idle connections (held streams, WebSockets) must not each keep the
        // memory of their largest write (the 101 head, a 2 KiB streaming prelude). A buffer
        // that small messages fit is kept: freeing it too cost a broadcast to 1000 sessions
        // 60 % more instructions per delivery (a malloc/free pair per session per flush).
        if (data_.capacity() > keep_capacity) std::string().swap(data_);
        else data_.clear();
    }

    static constexpr std::size_t keep_capacity = 128;

private:
    std::string data_;
    std::size_t offset_ = 0;
};

}  // namespace sockjs::net
