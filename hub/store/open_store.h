// Which store the hub keeps its state in, as the config file says: the embedded SQLite file (one
// hub) or a PostgreSQL database that several hubs share.
#ifndef GUICHET_HUB_STORE_OPEN_STORE_H
#define GUICHET_HUB_STORE_OPEN_STORE_H

#include "hub/store/store.h"

#include <filesystem>
#include <memory>
#include <string>

namespace guichet::store {

struct StoreConfig {
  std::string kind = "sqlite";  // sqlite, postgresql
  std::filesystem::path file;   // sqlite: the database file
  std::string connection;       // postgresql: a libpq connection string, without the password
  std::string password;         // postgresql: from the secrets file; empty when the server needs none
};

// Throws StoreUnavailable when the store cannot be opened.
std::unique_ptr<Store> open_store(const StoreConfig& config);

}  // namespace guichet::store

#endif
