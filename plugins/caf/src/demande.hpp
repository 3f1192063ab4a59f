// The CAF's AUU request ("demande") in its own French vocabulary, from a projected dispatch.
#ifndef GUICHET_CAF_DEMANDE_HPP
#define GUICHET_CAF_DEMANDE_HPP

#include <guichet/sdk/connector.hpp>

namespace guichet::caf {

// The body of POST /api/v1/demandes. Assumes the proof kind was accepted (proof.hpp).
sdk::Json demande(const sdk::Json& dispatch);

}  // namespace guichet::caf

#endif
