# One static library per layer (docs/architecture.md). A layer names the layers it uses;
# tests/unit/layering_test.cmake checks that no source includes a header of a layer it does not use.
set(MIJNCERT_LAYERS core pki audit storage ca policy ra auth notify http web app signer)

function(mijncert_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LAYERS;LIBRARIES" ${ARGN})
  add_library(mijncert_${name} STATIC ${ARG_SOURCES})
  target_include_directories(mijncert_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  foreach(layer IN LISTS ARG_LAYERS)
    target_link_libraries(mijncert_${name} PUBLIC mijncert_${layer})
  endforeach()
  target_link_libraries(mijncert_${name} PUBLIC ${ARG_LIBRARIES} PRIVATE mijncert_warnings)
  set_property(GLOBAL APPEND PROPERTY MIJNCERT_LAYER_USES "${name}:${ARG_LAYERS}")
endfunction()
