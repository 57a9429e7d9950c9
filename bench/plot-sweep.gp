# Plot the schedulability sweep (bench/sched_sweep CSV) as PNG and SVG.
# usage: gnuplot -e "csv='sweep.csv'; out='docs/img/sweep'" bench/plot-sweep.gp
set datafile separator ','
set key bottom left box opaque
set grid
set xlabel 'utilisation U'
set ylabel 'share of task sets'
set yrange [-0.02:1.02]
set xrange [0.28:1.02]
set title 'rtslot: task sets with no deadline miss (simulated, worst case) and admitted by analysis'

set key autotitle columnhead
plots = "plot \
  csv using 1:2 with linespoints lw 2 pt 4 title 'fifo (GPU alone): no miss', \
  csv using 1:3 with linespoints lw 2 pt 6 title 'rr (time slices): no miss', \
  csv using 1:4 with linespoints lw 2 pt 8 title 'fp: no miss', \
  csv using 1:5 with linespoints lw 2 pt 10 title 'edf: no miss', \
  csv using 1:6 with linespoints lw 2 pt 12 title 'slot: no miss', \
  csv using 1:7 with lines dt 2 lw 2 title 'fp: admitted (RTA)', \
  csv using 1:8 with lines dt 3 lw 2 title 'edf: admitted (dbf)', \
  csv using 1:9 with lines dt 4 lw 2 title 'slot: admitted (planner)'"

set terminal pngcairo size 1000,640 font ',11'
set output out.'.png'
eval plots
set terminal svg size 1000,640 dynamic font ',11'
set output out.'.svg'
eval plots
