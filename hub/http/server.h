// The HTTP front door: Poco's HTTPServer on its own thread pool (the default pool is shared and
// capped at 16), with limits that keep a slow or hostile client from holding threads or memory.
#ifndef GUICHET_HUB_HTTP_SERVER_H
#define GUICHET_HUB_HTTP_SERVER_H

#include "hub/http/api.h"
#include "hub/metrics/metrics.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

namespace guichet::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                     // 0: any free port, see Server::port()
  int threads = 16;
  int queued = 256;
  size_t max_body_bytes = 1 << 20;
  size_t max_uri_bytes = 8 * 1024;     // longer: 414
  size_t max_header_bytes = 16 * 1024; // all fields together; more: 431 (Poco also caps each field)
  int timeout_s = 15;                  // per socket read/write
  int request_deadline_s = 30;         // for reading a whole body: a trickling client is cut off (408)
  int keep_alive_s = 5;
};

class Server {
 public:
  Server(const Api& api, metrics::Registry& metrics, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();
  void stop();
  int port() const;

 private:
  ServerOptions options_;
  Poco::ThreadPool pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace guichet::http

#endif
