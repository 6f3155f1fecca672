# Embeds text files (templates, message catalogues, SQL migrations) into the binary so that a
# deployed `mijncert` needs no resource directory next to it.
function(mijncert_embed target namespace)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cpp)
  set(files ${ARGN})
  string(REPLACE ";" "|" file_list "${files}")  # a ';' would split the custom command's argument
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DBASE=${CMAKE_CURRENT_SOURCE_DIR}
            "-DFILES=${file_list}" -P ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    COMMENT "Embedding resources into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
