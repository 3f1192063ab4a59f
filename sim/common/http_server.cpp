#include "common/http_server.hpp"

#include "common/log.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <chrono>
#include <istream>
#include <thread>

namespace guichet::sim {
namespace {

constexpr std::size_t max_body_bytes = 1 << 20;
constexpr int max_threads = 128;
// A withheld answer ends by itself after this, so a client that never hangs up cannot pin a
// thread forever.
constexpr auto max_withhold = std::chrono::seconds(60);

bool read_body(std::istream& stream, std::string& body) {
  char buffer[8192];
  while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
    body.append(buffer, static_cast<std::size_t>(stream.gcount()));
    if (body.size() > max_body_bytes) return false;
  }
  return true;
}

Request to_request(Poco::Net::HTTPServerRequest& incoming, std::string body) {
  Request request;
  request.method = incoming.getMethod();
  const Poco::URI uri(incoming.getURI());
  request.path = uri.getPath();
  for (const auto& [name, value] : uri.getQueryParameters()) request.query[name] = value;
  for (const auto& [name, value] : incoming) request.headers.add(name, value);
  request.body = std::move(body);
  return request;
}

void send(Poco::Net::HTTPServerResponse& outgoing, const Response& response) {
  outgoing.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
  outgoing.setContentType("application/json; charset=utf-8");
  for (const auto& [name, value] : response.headers) outgoing.set(name, value);
  outgoing.setContentLength(static_cast<std::streamsize>(response.body.size()));
  outgoing.send() << response.body;
}

// The body a byte at a time, as a server stuck behind a slow link: returns when it is all sent,
// the client has gone, or the server stops.
void send_trickled(Poco::Net::HTTPServerResponse& outgoing, const Response& response,
                   const std::atomic<bool>& stopping) {
  outgoing.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
  outgoing.setContentType("application/json; charset=utf-8");
  for (const auto& [name, value] : response.headers) outgoing.set(name, value);
  outgoing.setContentLength(static_cast<std::streamsize>(response.body.size()));
  outgoing.setKeepAlive(false);
  std::ostream& out = outgoing.send();
  out.flush();
  for (char byte : response.body) {
    if (stopping || !out) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    out.put(byte);
    out.flush();
  }
}

// Returns once the client has closed its side, the server stops, or max_withhold has passed.
void hold_until_client_gives_up(Poco::Net::StreamSocket& socket, const std::atomic<bool>& stopping) {
  const auto deadline = std::chrono::steady_clock::now() + max_withhold;
  const Poco::Timespan slice(0, 200'000);
  while (!stopping && std::chrono::steady_clock::now() < deadline) {
    try {
      if (!socket.poll(slice, Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) {
        continue;
      }
      char byte;
      if (socket.receiveBytes(&byte, 1, MSG_PEEK) <= 0) return;
      // A pipelined request is waiting; it gets no answer either, so keep holding.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } catch (const Poco::Exception&) {
      return;
    }
  }
}

}  // namespace

class HttpServer::RequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RequestHandler(HttpServer& server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& incoming,
                     Poco::Net::HTTPServerResponse& outgoing) override {
    const auto started = std::chrono::steady_clock::now();
    Response response;
    try {
      std::string body;
      if (!read_body(incoming.stream(), body)) {
        response = Response::error(413, "payload_too_large");
      } else {
        Request request = to_request(incoming, std::move(body));
        response = server_.dispatch_(request);
      }
    } catch (const std::exception& error) {
      log_line(server_.name_, std::string("handler failed: ") + error.what());
      response = Response::error(500, "internal_error");
    }
    if (response.withhold) {
      auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(incoming).socket();
      hold_until_client_gives_up(socket, server_.stopping_);
      // Closing without a status line is what a client sees from a server that never answered.
      outgoing.setKeepAlive(false);
    } else if (response.trickle) {
      try {
        send_trickled(outgoing, response, server_.stopping_);
      } catch (const Poco::Exception&) {
        // The client gave up on it: what a trickling server sees.
      }
    } else {
      send(outgoing, response);
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    log_line(server_.name_, incoming.getMethod() + " " + Poco::URI(incoming.getURI()).getPath() + " " +
                                (response.withhold ? "withheld" : std::to_string(response.status)) +
                                (response.trickle ? " trickled" : "") +
                                " " + std::to_string(elapsed.count()) + "ms");
  }

 private:
  HttpServer& server_;
};

class HttpServer::HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(HttpServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(server_);
  }

 private:
  HttpServer& server_;
};

HttpServer::HttpServer(std::string name, std::uint16_t port, Dispatch dispatch)
    : name_(std::move(name)), dispatch_(std::move(dispatch)) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  port_ = socket.address().port();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(max_threads);
  params->setMaxQueued(256);
  // Short idle keep-alive: each open connection holds a worker thread.
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  params->setTimeout(Poco::Timespan(15, 0));

  pool_ = std::make_unique<Poco::ThreadPool>(2, max_threads);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*this), *pool_, socket, params);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() { server_->start(); }

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  server_->stopAll(true);
  pool_->joinAll();
}

}  // namespace guichet::sim
