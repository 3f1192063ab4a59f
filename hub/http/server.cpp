#include "hub/http/server.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <chrono>

namespace guichet::http {
namespace {

// Metrics are labelled by route, never by path: a path holds case ids.
std::string route_label(const std::string& method, const std::string& path) {
  std::string label = method + " ";
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part.rfind("c_", 0) == 0 || part.rfind("r_", 0) == 0) part = ":id";
    if (!part.empty()) label += "/" + part;
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
      response = read(in, request) ? api_.handle(request) : too_large();
    } catch (const std::exception&) {
      response = Response::error(cases::ApiError(400, "invalid_request", "the request could not be read"));
    }
    write(response, out);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::string route = route_label(request.method, request.path);
    metrics_.add("guichet_http_requests_total", {{"route", route}, {"status", std::to_string(response.status)}});
    metrics_.observe_ms("guichet_http_request_ms", {{"route", route}}, ms);
  }

 private:
  static Response too_large() {
    return Response::error(cases::ApiError(413, "payload_too_large", "the request body is larger than 1 MiB"));
  }

  // Returns false when the body is over the limit; nothing of it is kept then.
  bool read(Poco::Net::HTTPServerRequest& in, Request& request) {
    request.method = in.getMethod();
    Poco::URI uri(in.getURI());
    request.path = uri.getPath();
    for (const auto& [key, value] : uri.getQueryParameters()) request.query[key] = value;
    for (const auto& [name, value] : in) {
      std::string lower = Poco::toLower(name);
      request.headers[lower] = value;
    }
    if (in.hasContentLength() && static_cast<size_t>(in.getContentLength64()) > options_.max_body_bytes) return false;
    std::istream& body = in.stream();
    char buffer[16384];
    while (body.read(buffer, sizeof buffer) || body.gcount() > 0) {
      request.body.append(buffer, static_cast<size_t>(body.gcount()));
      if (request.body.size() > options_.max_body_bytes) {
        request.body.clear();
        return false;
      }
    }
    return true;
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
