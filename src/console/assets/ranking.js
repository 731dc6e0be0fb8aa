// 红黑榜: the print button prints the page (A4, with the document header the print stylesheet shows).
document.getElementById('ranking-print')?.addEventListener('click', () => window.print());
