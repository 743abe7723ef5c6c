#include "server_process.hpp"

#include "test_certs.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/PipeStream.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace sockjs::client::test {

bool server_available(server_kind k) {
    return k == server_kind::reference ? std::string_view(SOCKJS_TEST_NODE).size() > 0
                                       : std::string_view(SOCKJS_TEST_OWN_SERVER).size() > 0;
}

const char* server_name(server_kind k) {
    return k == server_kind::reference ? "reference (npm sockjs 0.3.24)" : "ours (sockjs-server)";
}

server_process::server_process(server_kind k, bool tls) : tls_(tls) {
    if (!server_available(k)) throw std::runtime_error(std::string(server_name(k)) + " is not available in this build");
    const std::string port = std::to_string(lease_.port());
    std::string command;
    std::vector<std::string> args;
    if (k == server_kind::reference) {
        command = SOCKJS_TEST_NODE;
        args = {SOCKJS_TEST_REF_SERVER_JS, port};
        if (tls) args.insert(args.end(), {"--tls", sockjs_test::cert_file("server.pem"), sockjs_test::cert_file("server.key")});
    } else {
        command = SOCKJS_TEST_OWN_SERVER;
        args = {"--host", "127.0.0.1", "--port", port, "--quiet"};
        if (tls)
            args.insert(args.end(), {"--tls-cert", sockjs_test::cert_file("server.pem"), "--tls-key",
                                     sockjs_test::cert_file("server.key")});
    }
    handle_.emplace(Poco::Process::launch(command, args, nullptr, &out_, &out_));
    out_.close(Poco::Pipe::CLOSE_WRITE);
    // Drain the child's output so that it can never block on a full pipe; keep it for
    // error messages.
    drain_ = std::thread([this] {
        Poco::PipeInputStream in(out_);
        std::string line;
        while (std::getline(in, line)) {
            std::lock_guard lk(m_);
            if (output_.size() < 64 * 1024) output_ += line + "\n";
        }
    });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
        if (!Poco::Process::isRunning(*handle_)) break;
        if (answers_info()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    kill_now();
    throw std::runtime_error(std::string(server_name(k)) + " did not start on port " + port + ":\n" + output());
}

server_process::~server_process() {
    kill_now();
}

bool server_process::answers_info() const {
    try {
        static const Poco::Net::Context::Ptr ctx =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, sockjs_test::cert_file("ca.pem"));
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (tls_) session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", lease_.port(), ctx);
        else session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", lease_.port());
        auto& s = *session;
        s.setTimeout(Poco::Timespan(1, 0));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/echo/info", Poco::Net::HTTPMessage::HTTP_1_1);
        s.sendRequest(req);
        Poco::Net::HTTPResponse res;
        s.receiveResponse(res);
        return res.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
    } catch (const Poco::Exception&) {
        return false;
    }
}

std::string server_process::url(std::string_view service) const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(lease_.port()) + std::string(service);
}

void server_process::kill_now() {
    if (handle_) {
        try {
            Poco::Process::kill(*handle_);
        } catch (const Poco::Exception&) {
            // already gone
        }
        try {
            handle_->wait();
        } catch (const Poco::Exception&) {
        }
        handle_.reset();
    }
    if (drain_.joinable()) drain_.join();
}

std::string server_process::output() const {
    std::lock_guard lk(m_);
    return output_;
}

server_process& shared_server(server_kind k) {
    static std::unique_ptr<server_process> servers[2];
    auto& s = servers[k == server_kind::reference ? 0 : 1];
    if (!s) s = std::make_unique<server_process>(k);
    return *s;
}

}  // namespace sockjs::client::test
