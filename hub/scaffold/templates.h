// The files `guichet new-connector` writes, embedded at build time from hub/scaffold/templates/:
// common/ for every channel, rest/ and email/ for one. Paths and texts hold {{markers}} that
// scaffold.cpp fills: {{id}}, {{Class}}, {{need}}, {{channel}}.
#ifndef GUICHET_HUB_SCAFFOLD_TEMPLATES_H
#define GUICHET_HUB_SCAFFOLD_TEMPLATES_H

#include <string_view>
#include <vector>

namespace guichet::scaffold {

struct Template {
  std::string_view path;  // relative to templates/, e.g. "rest/src/{{id}}.cpp"
  std::string_view text;
};

const std::vector<Template>& templates();

}  // namespace guichet::scaffold

#endif  // GUICHET_HUB_SCAFFOLD_TEMPLATES_H
