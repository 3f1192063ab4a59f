#include "hub/store/open_store.h"

#include "hub/store/postgres/postgres_store.h"
#include "hub/store/sqlite/sqlite_store.h"

namespace guichet::store {
namespace {

// libpq's quoting for a connection-string value: single quotes, with ' and \ escaped.
std::string quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::unique_ptr<Store> open_store(const StoreConfig& config) {
  if (config.kind == "postgresql") {
    std::string connection = config.connection;
    if (!config.password.empty()) connection += " password=" + quoted(config.password);
    return std::make_unique<PostgresStore>(connection);
  }
  return std::make_unique<SqliteStore>(config.file);
}

}  // namespace guichet::store
