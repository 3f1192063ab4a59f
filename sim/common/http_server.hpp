// A multi-threaded HTTP/1.1 server on 127.0.0.1 that turns each request into a plain Request,
// asks `dispatch` for a Response and writes it back. It knows nothing about routes or agencies.
//
// Thread-safety: `dispatch` is called from many worker threads at once and must guard its state.
#ifndef GUICHET_SIM_COMMON_HTTP_SERVER_HPP
#define GUICHET_SIM_COMMON_HTTP_SERVER_HPP

#include "common/http.hpp"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace guichet::sim {

class HttpServer {
 public:
  using Dispatch = std::function<Response(Request&)>;

  // Binds at once, so a busy port fails here; port 0 picks a free one.
  HttpServer(std::string name, std::uint16_t port, Dispatch dispatch);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Releases withheld connections and waits for the workers; safe to call twice.
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  class RequestHandler;
  class HandlerFactory;

  std::string name_;
  Dispatch dispatch_;
  std::atomic<bool> stopping_{false};
  std::uint16_t port_ = 0;
  // Its own pool: Poco's default one is shared and capped at 16 threads, and withheld answers
  // keep a thread each.
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_HTTP_SERVER_HPP
