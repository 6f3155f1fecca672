cmake_minimum_required(VERSION 3.25)
# Fails when a source file includes a header of a layer it does not use (docs/architecture.md
# §Layers). LAYERS is the file the build writes from the layers' declarations
# (mijncert_write_layer_uses in cmake/layers.cmake): `all_layers`, lowest first, and `uses_<layer>`.
# A layer may include itself and every layer it uses, directly or through another layer.
include(${LAYERS})

set(violations "")
# A directory of src/ outside the layer list would escape this check.
file(GLOB entries LIST_DIRECTORIES true ${SRC}/*)
foreach(entry IN LISTS entries)
  get_filename_component(name ${entry} NAME)
  if(IS_DIRECTORY ${entry} AND NOT name IN_LIST all_layers)
    list(APPEND violations "${entry}: not a layer of MIJNCERT_LAYERS (cmake/layers.cmake)")
  endif()
endforeach()
foreach(layer IN LISTS all_layers)
  # Layers come lowest first and use only lower ones, so the allowed sets below are complete.
  set(allowed_${layer} ${layer})
  foreach(used IN LISTS uses_${layer})
    list(APPEND allowed_${layer} ${allowed_${used}})
  endforeach()
  list(REMOVE_DUPLICATES allowed_${layer})

  file(GLOB_RECURSE files ${SRC}/${layer}/*.hpp ${SRC}/${layer}/*.cpp)
  foreach(file IN LISTS files)
    file(STRINGS ${file} includes REGEX "^#include \"[a-z_]+/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" used "${line}")
      if(NOT used IN_LIST allowed_${layer})
        list(APPEND violations "${file}: layer '${layer}' must not include '${used}/'")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n" text)
  message(FATAL_ERROR "Layering violations:\n${text}")
endif()
message(STATUS "layering: every include points to a layer its layer uses")
