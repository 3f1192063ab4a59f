#include "guichet/test/net.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <mutex>
#include <random>
#include <set>
#include <stdexcept>

namespace guichet::test {

namespace {

// Below Linux's default ephemeral range (32768–60999) and above the well-known ports the
// project uses (8080, 2525, 18091, 18092 are all outside it).
constexpr int kFirstPort = 20000;
constexpr int kLastPort = 32000;

bool bindable(std::uint16_t port) {
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", port), /*reuseAddress=*/false);
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace

std::uint16_t free_port() {
  static std::mutex mutex;
  static std::set<std::uint16_t> handed_out;
  static std::mt19937 random{std::random_device{}()};
  std::lock_guard lock(mutex);
  std::uniform_int_distribution<int> pick(kFirstPort, kLastPort);
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<std::uint16_t>(pick(random));
    if (!handed_out.contains(port) && bindable(port)) {
      handed_out.insert(port);
      return port;
    }
  }
  throw std::runtime_error("free_port: no free loopback port found");
}

bool port_open(std::uint16_t port) {
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(0, 500'000));
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace guichet::test
