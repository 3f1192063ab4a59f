#include "guichet/test/http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <stdexcept>

namespace guichet::test {

HttpClient::HttpClient(std::chrono::milliseconds timeout) : timeout_(timeout) {}

void HttpClient::set_default_header(std::string name, std::string value) {
  defaults_.insert_or_assign(std::move(name), std::move(value));
}

void HttpClient::set_bearer(std::string_view token) {
  set_default_header("Authorization", "Bearer " + std::string(token));
}

HttpResponse HttpClient::request(std::string_view method, const std::string& url, const std::string& body,
                                 const Headers& headers) const {
  const std::string what = std::string(method) + " " + url;
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "http") {
      throw std::invalid_argument("HttpClient speaks plain http only: " + url);
    }
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout_).count()));
    session.setKeepAlive(false);

    std::string target = uri.getPathAndQuery();
    Poco::Net::HTTPRequest request(std::string(method), target.empty() ? "/" : target,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Headers all = headers;
    all.insert(defaults_.begin(), defaults_.end());  // insert keeps the per-call value on a clash
    for (const auto& [name, value] : all) {
      request.set(name, value);
    }
    if (!body.empty() && !request.has("Content-Type")) {
      request.setContentType("application/json");
    }
    // Always sent for methods with a body, including an empty one, so POSTs are never ambiguous.
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;

    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResponse result;
    result.status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response) {
      auto [it, inserted] = result.headers.emplace(name, value);
      if (!inserted) {
        it->second += ", " + value;
      }
    }
    Poco::StreamCopier::copyToString(in, result.body);
    return result;
  } catch (const Poco::Exception& error) {
    throw std::runtime_error(what + ": " + error.displayText());
  }
}

HttpResponse HttpClient::get(const std::string& url, const Headers& headers) const {
  return request("GET", url, {}, headers);
}

HttpResponse HttpClient::post(const std::string& url, const std::string& body, const Headers& headers) const {
  return request("POST", url, body, headers);
}

HttpResponse HttpClient::del(const std::string& url, const Headers& headers) const {
  return request("DELETE", url, {}, headers);
}

}  // namespace guichet::test
