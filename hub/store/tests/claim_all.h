// For tests (and the bench's filler) that want every due row at once: a claim holds the rows of
// one connector instance only (store.h), so this claims until nothing is left.
#ifndef GUICHET_HUB_STORE_TESTS_CLAIM_ALL_H
#define GUICHET_HUB_STORE_TESTS_CLAIM_ALL_H

#include "hub/store/store.h"

#include <string>
#include <vector>

namespace guichet::store {

inline std::vector<Delivery> claim_all(Store& store, const std::string& worker, int64_t now_ms, int64_t lease_ms) {
  std::vector<Delivery> all;
  for (auto batch = store.claim(worker, now_ms, lease_ms, 32); !batch.empty();
       batch = store.claim(worker, now_ms, lease_ms, 32)) {
    all.insert(all.end(), batch.begin(), batch.end());
  }
  return all;
}

}  // namespace guichet::store

#endif
