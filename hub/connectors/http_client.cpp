#include "hub/connectors/http_client.h"

#include "hub/connectors/tls.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>

namespace guichet::connectors {
namespace {

bool is_idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

bool is_stale_connection(const Poco::Exception& e) {
  return dynamic_cast<const Poco::Net::NoMessageException*>(&e) ||
         dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) ||
         dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e);
}

HttpFailure failure(const std::string& origin, const Poco::Exception& e) {
  if (dynamic_cast<const Poco::TimeoutException*>(&e)) return {origin + ": timed out", true};
  if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e)) {
    return {origin + ": connection refused", true};
  }
  if (dynamic_cast<const Poco::Net::SSLException*>(&e)) return {origin + ": TLS: " + e.displayText(), false};
  return {origin + ": " + e.displayText(), true};
}

using Clock = std::chrono::steady_clock;

// The next read from the socket may wait only what is left of the exchange's time.
void wait_at_most_until(Poco::Net::HTTPClientSession& session, Clock::time_point deadline, const std::string& origin) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
  if (left <= 0) throw HttpFailure(origin + ": answer not complete in time", true);
  session.socket().setReceiveTimeout(Poco::Timespan(left));
}

// Reads what is buffered at once, and goes to the socket (one read) only when nothing is, with
// the time left: a body trickled a byte at a time ends at the deadline, not after it.
std::string read_body(std::istream& in, Poco::Net::HTTPClientSession& session, Clock::time_point deadline,
                      std::size_t limit, const std::string& origin) {
  std::string body;
  std::streambuf& buffer = *in.rdbuf();
  char chunk[8192];
  while (true) {
    std::streamsize ready = buffer.in_avail();
    if (ready < 0) break;
    if (ready > 0) {
      body.append(chunk, static_cast<std::size_t>(buffer.sgetn(chunk, std::min<std::streamsize>(ready, sizeof chunk))));
    } else {
      wait_at_most_until(session, deadline, origin);
      int byte = buffer.sbumpc();
      if (byte == std::char_traits<char>::eof()) break;
      body.push_back(static_cast<char>(byte));
    }
    if (body.size() > limit) throw HttpFailure(origin + ": answer body larger than the limit", false);
  }
  return body;
}

}  // namespace

std::optional<std::string> origin_of(const std::string& url) {
  try {
    Poco::URI uri(url);
    std::string scheme = Poco::toLower(uri.getScheme());
    if ((scheme != "http" && scheme != "https") || uri.getHost().empty()) return std::nullopt;
    return scheme + "://" + Poco::toLower(uri.getHost()) + ":" + std::to_string(uri.getPort());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

HttpClient::HttpClient(HttpClientOptions options) : options_(options) {}

HttpClient::Session HttpClient::take(const std::string& origin) {
  std::lock_guard lock(mutex_);
  auto found = idle_.find(origin);
  if (found == idle_.end()) return nullptr;
  std::vector<Idle>& sessions = found->second;
  Clock::time_point oldest_usable = Clock::now() - options_.idle_expiry;
  // Expired sessions are the oldest ones, at the front.
  sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                [&](const Idle& idle) { return idle.since < oldest_usable; }),
                 sessions.end());
  if (sessions.empty()) return nullptr;
  Session session = std::move(sessions.back().session);
  sessions.pop_back();
  return session;
}

void HttpClient::give_back(const std::string& origin, Session session) {
  std::lock_guard lock(mutex_);
  std::vector<Idle>& sessions = idle_[origin];
  if (sessions.size() >= options_.max_idle_per_origin) sessions.erase(sessions.begin());
  sessions.push_back({std::move(session), Clock::now()});
}

HttpResponse HttpClient::exchange(const HttpRequest& request) {
  std::optional<std::string> origin = origin_of(request.url);
  if (!origin) throw HttpFailure("not an http or https URL", false);
  Poco::URI uri(request.url);
  std::string target = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
  Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(request.timeout_ms) * 1000);
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(request.timeout_ms);

  for (int attempt = 0;; ++attempt) {
    Session session = take(*origin);
    bool reused = session != nullptr;
    if (!session) {
      if (Poco::toLower(uri.getScheme()) == "https") {
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), client_tls_context());
      } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
      }
      session->setKeepAlive(true);
      session->setKeepAliveTimeout(Poco::Timespan(options_.idle_expiry.count() * 1000));
    }
    session->setTimeout(timeout, timeout, timeout);

    bool request_sent = false;
    try {
      // HTTP/1.1 explicitly: Poco's default is 1.0, which has no keep-alive.
      Poco::Net::HTTPRequest head(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [name, value] : request.headers) head.add(name, value);
      head.setKeepAlive(true);
      if (!request.body.empty() || !is_idempotent(request.method)) {
        head.setContentLength(static_cast<std::streamsize>(request.body.size()));
      }
      std::ostream& out = session->sendRequest(head);
      request_sent = true;
      out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));

      Poco::Net::HTTPResponse answer;
      wait_at_most_until(*session, deadline, *origin);
      std::istream& in = session->receiveResponse(answer);
      HttpResponse response;
      response.status = static_cast<int>(answer.getStatus());
      for (const auto& [name, value] : answer) {
        std::string& joined = response.headers[Poco::toLower(name)];
        joined += joined.empty() ? value : ", " + value;
      }
      response.body = read_body(in, *session, deadline, options_.max_body_bytes, *origin);
      if (answer.getKeepAlive()) give_back(*origin, std::move(session));
      return response;
    } catch (const Poco::Exception& e) {
      // Only a connection that sat in the pool may have been closed by the server meanwhile; a
      // request that reached a server is repeated only when repeating it cannot do harm.
      bool stale = reused && (!request_sent || (is_idempotent(request.method) && is_stale_connection(e)));
      if (attempt == 0 && stale) continue;
      throw failure(*origin, e);
    }
  }
}

}  // namespace guichet::connectors
