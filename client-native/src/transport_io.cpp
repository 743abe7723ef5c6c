#include "transport_io.hpp"


namespace sockjs::client::detail {

void transport_context::post(io_event::kind_t kind, std::string data, int status, std::string error) const {
    io_event e;
    e.kind = kind;
    e.generation = generation;
    e.data = std::move(data);
    e.status = status;
    e.error = std::move(error);
    sink->post(std::move(e));
}

}  // namespace sockjs::client::detail
