// Which SQLite errors mean that the storage is failing (disk full, I/O error, locked, out of
// memory) rather than that a statement is wrong: the first are answered 503 and tried again
// later, the second are bugs. Shared by every SQLite file of the hub (store, case keys).
#ifndef GUICHET_HUB_STORE_SQLITE_STORAGE_FAILURE_H
#define GUICHET_HUB_STORE_SQLITE_STORAGE_FAILURE_H

#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Exception.h>

namespace guichet::store {

inline bool is_storage_failure(const Poco::Exception& e) {
  using namespace Poco::Data::SQLite;
  return dynamic_cast<const DatabaseFullException*>(&e) || dynamic_cast<const IOErrorException*>(&e) ||
         dynamic_cast<const CantOpenDBFileException*>(&e) || dynamic_cast<const ReadOnlyException*>(&e) ||
         dynamic_cast<const DBLockedException*>(&e) || dynamic_cast<const NoMemoryException*>(&e) ||
         dynamic_cast<const CorruptImageException*>(&e);
}

}  // namespace guichet::store

#endif
