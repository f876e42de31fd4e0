netcdf x { dimensions: a = 1 ; }
