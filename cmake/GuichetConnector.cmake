# guichet_add_connector(<id> SOURCES <src>... MANIFEST <connector.json>)
#
# Builds a connector plugin the way the hub expects it: a MODULE named <id>.so in the plugin
# directory, with its manifest beside it as <id>.json, exporting exactly one symbol (the ABI entry),
# hidden visibility for everything else, and no undefined symbols left for the host to satisfy.
# The same file serves the hub's own tree and, installed with the SDK, connectors built elsewhere
# (find_package(GuichetSdk)): there the plugin directory is ${CMAKE_BINARY_DIR}/plugins.
#
# guichet_add_conformance_test(<id>)
#
# Registers a ctest, <id>.conformance, that runs the conformance suite (guichet-conformance) on the
# built plugin: the checks the hub's `guichet connectors --check` makes before trusting it.
set(GUICHET_CONNECTOR_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/connector.map)

function(guichet_add_connector id)
  cmake_parse_arguments(ARG "" "MANIFEST" "SOURCES" ${ARGN})
  if(NOT ARG_MANIFEST)
    message(FATAL_ERROR "guichet_add_connector(${id}): MANIFEST is required")
  endif()
  if(NOT DEFINED GUICHET_PLUGIN_OUTPUT_DIR)
    set(GUICHET_PLUGIN_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins)
  endif()
  set(target connector_${id})
  # The manifest is a link dependency so that editing it alone refreshes the copy beside the .so.
  get_filename_component(manifest ${ARG_MANIFEST} ABSOLUTE)
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE Guichet::sdk)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${id}
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${GUICHET_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${GUICHET_CONNECTOR_VERSION_SCRIPT};${manifest}")
  target_link_options(${target} PRIVATE
    -Wl,--version-script=${GUICHET_CONNECTOR_VERSION_SCRIPT} -Wl,--no-undefined)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${manifest} ${GUICHET_PLUGIN_OUTPUT_DIR}/${id}.json
    VERBATIM)
  install(TARGETS ${target} LIBRARY DESTINATION lib/guichet/plugins)
  install(FILES ${manifest} DESTINATION lib/guichet/plugins RENAME ${id}.json)
endfunction()

function(guichet_add_conformance_test id)
  add_test(NAME ${id}.conformance
    COMMAND $<TARGET_FILE:Guichet::conformance> $<TARGET_FILE:connector_${id}>)
endfunction()
