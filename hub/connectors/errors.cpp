#include "hub/connectors/errors.h"

#include <guichet/sdk/abi.h>

namespace guichet::connectors {
namespace {

std::string describe(const std::string& file, const std::string& field, const std::string& message) {
  std::string text;
  if (!file.empty()) text += file + ": ";
  if (!field.empty()) text += field + ": ";
  return text + message;
}

}  // namespace

ConfigError::ConfigError(std::string file_, std::string field_, std::string message_)
    : std::runtime_error(describe(file_, field_, message_)),
      file(std::move(file_)),
      field(std::move(field_)),
      message(std::move(message_)) {}

CallError::CallError(int status_, const std::string& message, bool transient)
    : std::runtime_error(message), status(status_), transient_(transient) {}

HostCrashed::HostCrashed(const std::string& message, bool poison_)
    : CallError(GUICHET_ERROR, message, !poison_), poison(poison_) {}

}  // namespace guichet::connectors
