#pragma once
// Everything an integration test needs to start real processes on loopback and look at what they
// did. Link guichet_test_support; see each header for its contract.

#include "guichet/test/child_process.hpp"
#include "guichet/test/dates.hpp"
#include "guichet/test/headers.hpp"
#include "guichet/test/http_client.hpp"
#include "guichet/test/hub_stack.hpp"
#include "guichet/test/mail_server.hpp"
#include "guichet/test/maildir.hpp"
#include "guichet/test/net.hpp"
#include "guichet/test/paths.hpp"
#include "guichet/test/pop3_server.hpp"
#include "guichet/test/temp_dir.hpp"
