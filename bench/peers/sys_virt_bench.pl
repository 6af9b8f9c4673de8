#!/usr/bin/perl
# Sys::Virt's side of the benchmark: the same measurements as bench/ours/*.ts on libvirt's
# default loop (Sys::Virt::Event::register_default / run_default), printed as one JSON line.
#   stream   --uri U --pool P --vol V --op download|upload --file F   (recv_all / send_all)
#   listen   --uri U --expect N                                       (lifecycle events)
#   idle     --uri U                                                  (open connection, keepalive)
#   timers   --seconds S --interval MS                                (timer accuracy)
#   overhead --cycles N                                               (add/remove cycles)
use strict;
use warnings;
use Getopt::Long;
use Time::HiRes qw(time);
use Sys::Virt;
use Sys::Virt::Event;

my $mode = shift @ARGV;
my %o = (op => "download", expect => 0, seconds => 5, interval => 10, cycles => 10000);
GetOptions(\%o, "uri=s", "pool=s", "vol=s", "op=s", "file=s", "expect=i", "seconds=f",
  "interval=i", "cycles=i", "loop=s") or die "bad options\n";
$| = 1;

sub cpu_self { my @t = times; return $t[0] + $t[1]; }

if ($mode eq "stream") {
  my $conn = Sys::Virt->new(uri => $o{uri});
  my $vol = $conn->get_storage_pool_by_name($o{pool})->get_volume_by_name($o{vol});
  my $cpu0 = cpu_self();
  my $t0 = time;
  my $total = 0;
  my $st = $conn->new_stream(0);
  if ($o{op} eq "download") {
    open(my $fh, ">:raw", $o{file}) or die "$o{file}: $!";
    $vol->download($st, 0, 0);
    $st->recv_all(sub {
      my ($s, $data, $n) = @_;
      $total += $n;
      return syswrite($fh, $data, $n);
    });
    $st->finish();
    close($fh);
  } else {
    open(my $fh, "<:raw", $o{file}) or die "$o{file}: $!";
    $vol->upload($st, 0, 0);
    # send_all's handler fills its second argument in place ($_[1]).
    $st->send_all(sub {
      my $n = sysread($fh, $_[1], $_[2]);
      $total += $n;
      return $n;
    });
    $st->finish();
    close($fh);
  }
  my $seconds = time - $t0;
  my $cpu = cpu_self() - $cpu0;
  printf("{\"seconds\": %.6f, \"bytes\": %d, \"cpu\": %.3f}\n", $seconds, $total, $cpu);
  exit 0;
}

Sys::Virt::Event::register_default();

if ($mode eq "listen" || $mode eq "idle") {
  my $conn = Sys::Virt->new(uri => $o{uri});
  my ($count, $last) = (0, 0);
  $conn->domain_event_register_any(undef, Sys::Virt::Domain::EVENT_ID_LIFECYCLE, sub {
    $count++;
    $last = time * 1000;
    printf("{\"count\": %d, \"lastAt\": %.3f}\n", $count, $last) if $count == $o{expect};
  });
  $conn->set_keep_alive(5, 3);
  # Closing stdin ends the listener: watched on the same loop.
  my $quit = 0;
  Sys::Virt::Event::add_handle(0, Sys::Virt::Event::HANDLE_READABLE, sub { $quit = 1 });
  print "READY\n";
  Sys::Virt::Event::run_default() until $quit;
  exit 0;
}

if ($mode eq "timers") {
  my @stamps = (time * 1000);
  my $done = 0;
  Sys::Virt::Event::add_timeout($o{interval}, sub {
    my ($timer) = @_;
    push @stamps, time * 1000;
    if ($stamps[-1] - $stamps[0] >= $o{seconds} * 1000) {
      Sys::Virt::Event::update_timeout($timer, -1);
      $done = 1;
    }
  });
  Sys::Virt::Event::run_default() until $done;
  my @iv = map { $stamps[$_] - $stamps[$_ - 1] } 1 .. $#stamps;
  print "{\"intervals\": [" . join(",", map { sprintf("%.4f", $_) } @iv) . "]}\n";
  exit 0;
}

if ($mode eq "overhead") {
  my $n = $o{cycles};
  my $hcb = sub { };
  my $tcb = sub { };
  my $cycles = sub {
    my ($k) = @_;
    my $t0 = time;
    for (1 .. $k) {
      my $w = Sys::Virt::Event::add_handle(0, Sys::Virt::Event::HANDLE_READABLE, $hcb);
      Sys::Virt::Event::remove_handle($w);
    }
    my $t1 = time;
    for (1 .. $k) {
      my $t = Sys::Virt::Event::add_timeout(1000, $tcb);
      Sys::Virt::Event::remove_timeout($t);
    }
    return ($t0, $t1, time);
  };
  $cycles->(1000); # the same warm-up as ours
  my ($t0, $t1, $t2) = $cycles->($n);
  printf("{\"handleNs\": %.1f, \"timeoutNs\": %.1f}\n", ($t1 - $t0) * 1e9 / $n,
    ($t2 - $t1) * 1e9 / $n);
  exit 0;
}

die "unknown mode $mode\n";
