#include "hub/http/server.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace guichet::http {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("http"); }

// Metrics are labelled by route, never by path: a path holds case ids.
std::string route_label(const std::string& method, const std::string& path) {
  std::string label = method + " ";
  std::string previous;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    std::string segment = part;
    if (part.rfind("c_", 0) == 0 || part.rfind("r_", 0) == 0) segment = ":id";
    if (previous == "delegates") segment = ":referent";  // a colleague's id names no route
    if (!segment.empty()) label += "/" + segment;
    previous = part;
    start = end + 1;
  }
  return label == method + " " ? label + "/" : label;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const Api& api, metrics::Registry& metrics, const ServerOptions& options)
      : api_(api), metrics_(metrics), options_(options) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    auto started = std::chrono::steady_clock::now();
    Response response;
    Request request;
    try {
      std::optional<cases::ApiError> refused = read(in, request, started);
      response = refused ? Response::error(*refused) : api_.handle(request);
    } catch (const std::exception&) {
      response = Response::error(cases::ApiError(400, "invalid_request", "the request could not be read"));
    }
    if (response.status == 408) out.setKeepAlive(false);  // the rest of its body is not worth waiting for
    write(response, out);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::string route = route_label(request.method, request.path);
    metrics_.add("guichet_http_requests_total", {{"route", route}, {"status", std::to_string(response.status)}});
    metrics_.observe_ms("guichet_http_request_ms", {{"route", route}}, ms);
    // The route, not the URI: ids and query values stay out of the log.
    if (logger().debug()) logger().debug("%s %d in %.1f ms", route, response.status, ms);
  }

 private:
  // The request, or why it is refused before the API sees it; nothing of a refused body is kept.
  std::optional<cases::ApiError> read(Poco::Net::HTTPServerRequest& in, Request& request,
                                      std::chrono::steady_clock::time_point started) {
    request.method = in.getMethod();
    if (in.getURI().size() > options_.max_uri_bytes) {
      return cases::ApiError(414, "uri_too_long", "the request URI is longer than 8 KiB");
    }
    Poco::URI uri(in.getURI());
    request.path = uri.getPath();
    for (const auto& [key, value] : uri.getQueryParameters()) request.query[key] = value;
    size_t header_bytes = 0;
    for (const auto& [name, value] : in) {
      header_bytes += name.size() + value.size() + 4;
      request.headers[Poco::toLower(name)] = value;
    }
    if (header_bytes > options_.max_header_bytes) {
      request.headers.clear();
      return cases::ApiError(431, "headers_too_large", "the request headers are larger than 16 KiB");
    }
    if (in.hasContentLength() && static_cast<size_t>(in.getContentLength64()) > options_.max_body_bytes) {
      return too_large();
    }
    // The body is read against one deadline for all of it: each wait for more bytes may last only
    // what is left, so a client sending a byte now and then cannot hold this thread.
    auto deadline = started + std::chrono::seconds(options_.request_deadline_s);
    auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(in).socket();
    // The next request on this connection gets the usual timeout back, whatever happens here.
    struct RestoreTimeout {
      Poco::Net::StreamSocket& socket;
      Poco::Timespan timeout;
      ~RestoreTimeout() {
        try {
          socket.setReceiveTimeout(timeout);
        } catch (const Poco::Exception&) {
          // The connection is gone: there is no next request.
        }
      }
    } restore{socket, Poco::Timespan(options_.timeout_s, 0)};
    std::istream& body = in.stream();
    char buffer[16384];
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        request.body.clear();
        return cases::ApiError(408, "request_timeout", "the request body did not arrive in time");
      }
      socket.setReceiveTimeout(Poco::Timespan(std::min<int64_t>(left.count(), int64_t{options_.timeout_s} * 1000000)));
      if (body.peek() == std::char_traits<char>::eof()) break;
      std::streamsize got = body.readsome(buffer, sizeof buffer);
      request.body.append(buffer, static_cast<size_t>(got));
      if (request.body.size() > options_.max_body_bytes) {
        request.body.clear();
        return too_large();
      }
    }
    return std::nullopt;
  }

  static cases::ApiError too_large() {
    return cases::ApiError(413, "payload_too_large", "the request body is larger than 1 MiB");
  }

  static void write(const Response& response, Poco::Net::HTTPServerResponse& out) {
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.content_type);
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    if (response.content_type.rfind("text/html", 0) == 0) {
      out.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    } else if (!response.headers.count("Cache-Control")) {
      out.set("Cache-Control", "no-store");
    }
    for (const auto& [name, value] : response.headers) out.set(name, value);
    out.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
    out.send() << response.body;
  }

  const Api& api_;
  metrics::Registry& metrics_;
  const ServerOptions& options_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const Api& api, metrics::Registry& metrics, const ServerOptions& options)
      : api_(api), metrics_(metrics), options_(options) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(api_, metrics_, options_);
  }

 private:
  const Api& api_;
  metrics::Registry& metrics_;
  const ServerOptions& options_;
};

}  // namespace

Server::Server(const Api& api, metrics::Registry& metrics, ServerOptions options)
    : options_(std::move(options)), pool_(2, options_.threads) {
  metrics.describe("guichet_http_requests_total", "HTTP requests by route and status.", "counter");
  metrics.describe("guichet_http_request_ms", "HTTP request latency in milliseconds.", "histogram");
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(options_.host, static_cast<Poco::UInt16>(options_.port)));
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options_.threads);
  params->setMaxQueued(options_.queued);
  params->setTimeout(Poco::Timespan(options_.timeout_s, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_s, 0));
  params->setMaxKeepAliveRequests(1000);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(api, metrics, options_), pool_, socket, params);
}

Server::~Server() { stop(); }

void Server::start() { server_->start(); }

void Server::stop() {
  if (server_) server_->stopAll(true);
}

int Server::port() const { return server_->port(); }

}  // namespace guichet::http
