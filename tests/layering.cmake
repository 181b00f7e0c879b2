# Fails when a file below core/, cli/ or publishers/ includes a wxWidgets
# header. The build already cannot compile one (only gui/ gets wx include
# paths); this names the file when someone tries.
file(GLOB_RECURSE sources
     "${SOURCE_DIR}/core/*.h" "${SOURCE_DIR}/core/*.cpp"
     "${SOURCE_DIR}/cli/*.h" "${SOURCE_DIR}/cli/*.cpp"
     "${SOURCE_DIR}/publishers/*.h" "${SOURCE_DIR}/publishers/*.hpp" "${SOURCE_DIR}/publishers/*.cpp")
set(offenders "")
foreach(file IN LISTS sources)
  file(STRINGS "${file}" hits REGEX "#[ \t]*include[ \t]*[<\"]wx/")
  if(hits)
    list(APPEND offenders "${file}")
  endif()
endforeach()
list(LENGTH sources count)
if(offenders)
  message(FATAL_ERROR "wxWidgets included below gui/: ${offenders}")
endif()
message(STATUS "layering ok: ${count} files below gui/ are free of wxWidgets")
